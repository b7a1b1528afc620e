"""An RL launch written for the cookbook before 2026.06: InfraConfig passed as `infra=`."""

from training.recipes.rl_loop import Config, main
from training.utils import InfraConfig

config = Config(
    log_path="./logs",
    base_model="accounts/fireworks/models/qwen3-8b",
    infra=InfraConfig(
        training_shape_id="accounts/fireworks/trainingShapes/qwen3-8b-128k-h200",
    ),
)
main(config)
