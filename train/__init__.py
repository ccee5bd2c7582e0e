"""Training stage: MNIST data, the residual network, and `edge train` / `edge evaluate`."""
