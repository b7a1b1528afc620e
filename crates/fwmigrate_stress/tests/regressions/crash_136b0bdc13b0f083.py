from training.utils import InfraConfig,setup_infra
def compare(rlor_mgr,api_key,):
    small=setup_infra(rlor_mgr=rlor_mgr,base_model="",infra_cfg=(),role_prefix="",api_key=api_key)
\
    bigpolicyoptim_step()