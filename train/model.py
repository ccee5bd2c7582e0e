"""The notebook's residual network, built with the functional API so it saves and converts cleanly.

Input contract: (28, 28, 1) float32 raw pixels 0-255, white digit on black (as MNIST);
the model scales them itself, so every later stage (export, runtime) feeds raw pixels.
"""

from __future__ import annotations

import keras
from keras import layers

from ground.contract import INPUT_SHAPE, NUM_CLASSES
from train.config import DEFAULT_BLOCKS, DEFAULT_FILTERS

STEM_KERNEL = 7
POOL_SIZE = 3
BLOCK_KERNEL = 3
BN_MOMENTUM = 0.99  # Keras' default, as in the notebook


def residual_block(x, filters: int, name: str, bn_momentum: float = BN_MOMENTUM):
    """Conv3x3 → BN → ReLU → Conv3x3 → BN, plus the identity skip (Add), then ReLU."""
    shortcut = x
    x = layers.Conv2D(filters, BLOCK_KERNEL, padding="same", name=f"{name}_conv1")(x)
    x = layers.BatchNormalization(momentum=bn_momentum, name=f"{name}_bn1")(x)
    x = layers.ReLU(name=f"{name}_relu1")(x)
    x = layers.Conv2D(filters, BLOCK_KERNEL, padding="same", name=f"{name}_conv2")(x)
    x = layers.BatchNormalization(momentum=bn_momentum, name=f"{name}_bn2")(x)
    x = layers.Add(name=f"{name}_add")([x, shortcut])
    return layers.ReLU(name=f"{name}_out")(x)


def build_resnet(
    blocks: int = DEFAULT_BLOCKS, filters: int = DEFAULT_FILTERS, bn_momentum: float = BN_MOMENTUM
) -> keras.Model:
    """Stem Conv(7x7) → BN → ReLU → MaxPool(3), `blocks` residual blocks, GAP, softmax Dense."""
    inputs = keras.Input(shape=INPUT_SHAPE, name="pixels")
    x = layers.Rescaling(1.0 / 255, name="scale")(inputs)
    x = layers.Conv2D(filters, STEM_KERNEL, padding="same", name="stem_conv")(x)
    x = layers.BatchNormalization(momentum=bn_momentum, name="stem_bn")(x)
    x = layers.ReLU(name="stem_relu")(x)
    x = layers.MaxPooling2D(POOL_SIZE, name="stem_pool")(x)
    for i in range(blocks):
        x = residual_block(x, filters, f"res{i + 1}", bn_momentum)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    # float32 under a mixed policy too: the probabilities (and the loss) keep full precision
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", name="probs", dtype="float32")(x)
    return keras.Model(inputs, outputs, name=f"resnet_{blocks}x{filters}")
