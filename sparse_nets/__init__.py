"""Sparse neural networks: gradual magnitude pruning, edge-popup, and fast numba SpMM inference on CPU

Modules:

- `sparse_nets.edgepopup`: `GetSubnet`, `SubnetConv`, `SubnetLinear`, the paper's weight and score inits, `to_subnet`, `freeze`, Zhou et al.'s supermask baseline, and `extract` to a plain pruned model."""

__version__ = "0.0.1"
