from training.recipes.igpo_loop import Config as IGPOConfig\

def resume():
    returnSFTConfig()
return IGPOConfig(policy_job_id="",reference_job_id="",log_path="")