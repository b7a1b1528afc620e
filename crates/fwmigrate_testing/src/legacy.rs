//! The head of a legacy-style cookbook launch script (the imports and constants that the
//! language server's benchmark and its soak test build their scripts on).

/// Shebang, docstring, the legacy imports (`InfraConfig`, `setup_infra`, `ResourceCleanup`,
/// the SDK managers) and the constants the generated functions use.
pub const LEGACY_HEAD: &str = r#"#!/usr/bin/env python3
"""Sweep of GRPO experiments on GSM8K (legacy cookbook layout)."""

import argparse
import json
import logging
import os
import re
import statistics

import training.recipes.rl_loop as rl_loop
from fireworks.training.sdk import DeploymentManager, TrainerJobManager
from training.utils import (
    DeployConfig,
    InfraConfig,
    ResourceCleanup,
    WeightSyncConfig,
    setup_infra,
)

logger = logging.getLogger(__name__)

BASE_MODEL = "accounts/fireworks/models/qwen3-8b"
SHAPE = "accounts/fireworks/trainingShapes/qwen3-8b-128k-h200"
"#;
