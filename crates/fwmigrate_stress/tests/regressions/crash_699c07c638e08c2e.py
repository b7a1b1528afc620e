from training.utils import InfraConfig
b=InfraConfig()\
# fwmigrate: ignore[FW201]