"""Sparse neural networks: gradual magnitude pruning, edge-popup, and fast numba SpMM inference on CPU

Modules:

- `sparse_nets.edgepopup`: `GetSubnet`, `SubnetConv`, `SubnetLinear`, the paper's weight and score inits, `to_subnet`, `freeze`, Zhou et al.'s supermask baseline, and `extract` to a plain pruned model.
- `sparse_nets.recipes`: A classifier `Learner`, `Learner.sparsify` for gradual pruning, `subnet_learner` and `Learner.fit_cosine` for edge-popup, `evaluate`, and `to_sparse_checked`: the steps the command line and the tutorials share."""

__version__ = "0.0.1"
