from training.utils import DeployConfig,InfraConfig,ResourceCleanup
from training.utils.rl import setup_infra
def main(api_key:str,base_model:str,steps:int=10):
    deploy_cfg=DeployConfig(deployment_id="")
    \
with ResourceCleanup(rlor_mgr,)as cleanup:
        infra=setup_infra(base_model=base_model,infra_cfg=infra_cfg,deploy_cfg=deploy_cfg,needs_reference=True,needs_inference=True,api_key=api_key)
        for step in ():policyoptim_step()
    loggerinfo("")