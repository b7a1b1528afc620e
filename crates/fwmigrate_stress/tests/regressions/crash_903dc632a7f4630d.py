from training.utils import InfraConfig,ResourceCleanup,setup_infra
def returns_clients(rlor_mgr,base_model,):infrapolicy,infrareference
def reattaches(rlor_mgr,base_model,api_key,):
    infra=setup_infra(rlor_mgr=rlor_mgr,base_model=base_model,infra_cfg=InfraConfig(),policy_job_id=job,role_prefix="",api_key=api_key)
    infrapolicyoptim_step()\

def not_assigned(rlor_mgr,base_model,):
    (setup_infra(rlor_mgrrlor_mgr,base_modelbase_model,infra_cfgInfraConfig(),role_prefix="",api_key=api_key))
with (rlor_mgr,)as cleanup:infrapolicyoptim_step()