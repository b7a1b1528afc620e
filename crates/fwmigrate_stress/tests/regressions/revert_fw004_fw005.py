from training.recipes.sft_loop  import Config,main
from training.utils import\
WandBConfig
def resume(job_id:str)->dict:config=Config(trainer_job_id=job_id,trainer_base_url="")