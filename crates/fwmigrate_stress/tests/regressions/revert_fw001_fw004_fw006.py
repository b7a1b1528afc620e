import training.recipes.orpo_loop as orpo
from training.utils import\
InfraConfig
def go(job,):
    cfg=orpo.Config(job_id=job,infrainfra=InfraConfig())
return orpo.main(cfg,mgr)