"""Groups, world-group aliases and the collectives' numbers across ranks (run by test_mpi.py at P = 2, 4).

Usage: ``mpiexec -n P python -m mpi4py tests/distributed/scenario_collectives.py``.
"""

if __name__ == "__main__":
    from sporelab import communication as comm
    from sporelab import ops
    from tests.distributed._harness import RANK, SIZE, expect, finish, ms, np, scenario

    def groups_check():                       # P = 4: two groups of 2, evens and odds
        comm.init()
        if SIZE != 4:
            return
        comm.create_group("even", [0, 2])
        comm.create_group("odd", [1, 3])
        mine = "even" if RANK % 2 == 0 else "odd"
        expect(comm.get_group_size(mine) == 2 and comm.get_rank(mine) == RANK // 2, "rank/size in group")
        for w in range(4):
            group = "even" if w % 2 == 0 else "odd"
            expect(comm.get_group_rank_from_world_rank(w, group) == w // 2, f"group rank of world {w}")
            expect(comm.get_world_rank_from_group_rank(group, w // 2) == w, f"world rank of {group}[{w // 2}]")
        total = ops.AllReduce(group=mine)(ms.Tensor([float(RANK + 1)])).asnumpy().tolist()
        expect(total == [4.0 if mine == "even" else 6.0], f"group sum {total}")      # 1+3, 2+4
        gathered = ops.AllGather(group=mine)(ms.Tensor([float(RANK)])).asnumpy().tolist()
        expect(gathered == ([0.0, 2.0] if mine == "even" else [1.0, 3.0]), f"group gather {gathered}")
        comm.destroy_group("even"), comm.destroy_group("odd")

    def aliases_check():
        for backend in ("nccl", "hccl"):
            comm.init(backend)
            expect(comm.get_rank() == RANK and comm.get_group_size() == SIZE, f"{backend}: rank/size")
            got = ops.AllReduce()(ms.Tensor([1.0])).asnumpy().tolist()
            expect(got == [float(SIZE)], f"{backend}: AllReduce {got}")
        comm.init()

    def extremes_check():                     # ties: every rank holding the extreme gets the gradient
        x = ms.Tensor([float(RANK % 2), float(-(RANK // 2)), 5.0])      # col 2: all tie
        for op, holders in (("max", [RANK % 2 == 1 or SIZE == 1, RANK // 2 == 0, True]),
                            ("min", [RANK % 2 == 0, RANK // 2 == (SIZE - 1) // 2, True])):
            g = ms.grad(lambda t, op=op: ops.AllReduce(op)(t).sum())(x).asnumpy().tolist()
            want = [float(SIZE) if h else 0.0 for h in holders]
            expect(g == want, f"{op} backward {g} != {want}")

    def float16_check():                      # 2048 + 1 + 1 + 1: float16 accumulation stays at 2048
        x = ms.Tensor(np.float16([2048.0 if RANK == 0 else 1.0]))
        y = ops.AllReduce()(x)
        want = np.float16(2048.0 + SIZE - 1)
        expect(y.dtype == ms.float16 and y.asnumpy().tolist() == [float(want)], f"float16 sum {y.asnumpy()}")

    def grad_dtypes_check():
        for dtype in (np.float16, np.float32, np.float64):
            x = ms.Tensor(np.ones(2, dtype))
            g = ms.grad(lambda t: (ops.AllReduce()(t) * float(RANK + 1)).sum())(x)
            want = SIZE * (SIZE + 1) / 2
            expect(g.asnumpy().dtype == dtype and g.asnumpy().tolist() == [want] * 2,
                   f"{np.dtype(dtype).name} grad {g.asnumpy()}")

    comm.init()
    for name, check in (("groups", groups_check), ("world_aliases", aliases_check), ("extremes_ties", extremes_check),
                        ("float16_in_float32", float16_check), ("allreduce_grad_dtypes", grad_dtypes_check)):
        scenario(name, check)
    finish()
