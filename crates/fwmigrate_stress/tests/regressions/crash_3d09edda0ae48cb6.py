from training.recipes.rl_loop import Config
from training.utils import HotloadConfig
def early_2026():Config(
hotload=HotloadConfig(hot_load_interval=3,hot_load_timeout=120,dcp_save_interval=9# noqa: FW001
)#
)