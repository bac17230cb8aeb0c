"""A test harness, not library API: train a tiny MLP under `DistributedDataParallel` (gloo, CPU processes on this
machine) with gradual pruning, and report whether every rank holds the same masks after each update and the same
weights at the end. `tests/test_ddp.py` runs it; `sparse_nets.pruning` explains why the masks agree."""
import os, socket, tempfile, time
from functools import partial
import torch
from torch import nn, Tensor
import torch.distributed as dist
import torch.multiprocessing as mp
from fastai.callback.core import Callback
from sparse_nets.pruning import Sparsifier, SparsifyCallback

def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def _gather_equal(t:Tensor, world_size:int):
    "True on every rank if `t` is identical on all ranks."
    got = [torch.empty_like(t) for _ in range(world_size)]
    dist.all_gather(got, t)
    return all(torch.equal(got[0], x) for x in got)

def _flat_masks(sp): return torch.cat([m.flatten().to(torch.uint8) for m in sp.masks])

def _ddp_worker(rank, world_size, port, out, sync, scope, granularity, steps, learner):
    import warnings
    from sparse_nets.schedules import cubic
    warnings.filterwarnings('ignore', category=FutureWarning)
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    torch.set_num_threads(1)
    dist.init_process_group('gloo', rank=rank, world_size=world_size)
    try:
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 4))
        ddp = nn.parallel.DistributedDataParallel(model, broadcast_buffers=False)
        g = torch.Generator().manual_seed(1000 + rank)        # different data on each rank
        xs, ys = torch.randn(steps, 16, 16, generator=g), torch.randint(0, 4, (steps, 16), generator=g)
        same = []
        if not learner:                                        # a plain training loop with a `Sparsifier`
            sp = Sparsifier(model, scope=scope, granularity=granularity, sync=sync)
            opt = torch.optim.SGD(ddp.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-3)
            sched = cubic(0.85, end=0.8)
            for step in range(steps):
                if sched.is_update_step(step, steps, 3):
                    sp.prune(sched.at_step(step, steps)); same.append(_gather_equal(_flat_masks(sp), world_size))
                loss = nn.functional.cross_entropy(ddp(xs[step]), ys[step])
                opt.zero_grad(); loss.backward(); sp.mask_grads(); opt.step(); sp.apply()
        else:                                                  # a fastai Learner on the DDP model with `SparsifyCallback`
            from fastai.learner import Learner
            from fastai.data.core import DataLoaders
            from fastai.data.load import DataLoader
            from fastai.optimizer import SGD
            import fastai.callback.progress   # Learner.no_bar
            class _Check(Callback):
                order = SparsifyCallback.order + 1
                def before_batch(self):
                    if self.training and len(self.sparsify.history) > len(same):
                        same.append(_gather_equal(_flat_masks(self.sparsify.sparsifier), world_size))
            n_ep = 2
            items = list(zip(xs.view(-1, 16), ys.view(-1)))
            dls = DataLoaders(DataLoader(items, bs=16 * n_ep, shuffle=True), DataLoader(items[:32], bs=16))
            learn = Learner(dls, ddp, loss_func=nn.CrossEntropyLoss(), opt_func=partial(SGD, mom=0.9),
                            cbs=[SparsifyCallback(0.85, 'cubic', end=0.8, frequency=2, scope=scope, granularity=granularity,
                                                  sync=sync, show_report=False), _Check()])
            with learn.no_bar(), learn.no_logging(): learn.fit(n_ep, 0.05, wd=1e-3)
            sp = learn.sparsify.sparsifier
        eq_w = _gather_equal(torch.cat([p.detach().flatten() for p in model.parameters()]), world_size)
        if rank == 0:
            torch.save(dict(masks_equal=same, weights_equal=eq_w, updates=len(same), sparsity=sp.sparsity()), out)
    finally: dist.destroy_process_group()

def ddp_mask_check(world_size:int=2, # number of processes (gloo, CPU)
                   sync:bool=True, # `Sparsifier(sync=...)`
                   scope:str='local', granularity='weight', steps:int=24,
                   learner:bool=False, # train with a fastai `Learner` + `SparsifyCallback` instead of a plain loop
                   start_method:str='spawn', # 'spawn' (safe anywhere) or 'fork' (no re-import: faster, Linux)
                   timeout:float=180): # seconds before the processes are killed and `TimeoutError` is raised
    "Train a tiny MLP under DDP with gradual pruning; return rank 0's record: masks equal after each update, weights equal at the end."
    out = os.path.join(tempfile.mkdtemp(), 'ddp.pt')
    ctx = mp.start_processes(_ddp_worker, args=(world_size, _free_port(), out, sync, scope, granularity, steps, learner),
                             nprocs=world_size, join=False, start_method=start_method)
    t0 = time.time()
    while not ctx.join(timeout=1):
        if time.time() - t0 > timeout:
            for p in ctx.processes:
                if p.is_alive(): p.kill()
            raise TimeoutError(f"DDP check did not finish in {timeout} s")
    return torch.load(out)
