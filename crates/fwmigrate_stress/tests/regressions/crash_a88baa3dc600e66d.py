import training.utils as utils
def train():
    infra_cfg=utils.InfraConfig(training_shape_idargsshape)
    \
infra=utils.setup_infra(rlor_mgr=argsmgr,base_model=argsbase_model,infra_cfg=infra_cfg,role_prefix="",api_key=argsapi_key)
    for batch in argsbatches:clientoptim_step()