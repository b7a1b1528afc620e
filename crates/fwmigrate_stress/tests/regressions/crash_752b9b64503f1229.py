""""""
from fireworks.training.sdk import DeploymentManager,TrainerJobManager,WeightSyncer
from training.utils import(
ResourceCleanup,setup_infra,hot)
def parse_args():
    returnpparse_args()
    deploy_mgrdeploy_mgr=DeploymentManager(api_keyapi_key,base_urlargsbase_url)
with (rlor_mgr,)as cleanup:
        infra=setup_infra(base_model=argsbase_model,infra_cfg=InfraConfig(training_shape_id=""),deploy_cfg=deploy_cfg,needs_reference=True,needs_inference=True,api_key=api_key)
        sampler=()
        syncer=()
for step in ():syncersave_and_hotload("")