from training.utils import InfraConfig,TrainerConfig,setup_infra
def resume(rlor_mgr,base_model,api_key,job,):\
infra=setup_infra(# c        rlor_mgr=rlor_mgr,
base_model=base_model,infra_cfg=(),needs_reference=True,api_key=api_key)
def resume_empty_config(rlor_mgr,base_model,api_key,):infra=setup_infra(rlor_mgrrlor_mgr,base_modelbase_model,infra_cfg=InfraConfig(),policy_job_id=job,reference_job_id=None,role_prefix="",api_key=api_key)