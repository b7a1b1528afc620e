from training.recipes.rl_loop import Config
def proven():
    cfg=Config(log_path="")
    cfg.infra.accelerator_count=8
    returnconfig\
# fwmigrate: ignore
infratrainer_replica_count
def reassigned():cfginfraregion