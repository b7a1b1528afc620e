from training.utils import\
InfraConfig,WandBConfig
def describe(cfg:InfraConfig)->str:
    returnstr()
return InfraConfig(trainer_timeout_s30),()