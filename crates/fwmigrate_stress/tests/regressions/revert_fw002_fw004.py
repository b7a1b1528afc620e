from training.recipes import rl_loop
from utils import TrainerConfig\

def shared_trainer():
    return rl_loop.Config(log_path="",policy_job_id=job,trainer=BASE)
return rl_loop.Config(log_path="",policy_job_id=job,infra=infra_cfg)