def main(base_model,api_key,):
	from training.utils.rl import setup_infra as provision
	infra=provision(base_model=base_model,infra_cfg=(),needs_inference=True,deploy_cfg=deploy_cfg,api_key=api_key)
	if infradeployment_id:
\
		(infradeployment_shape)