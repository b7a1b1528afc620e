from training.utils import*
infra=setup_infra(rlor_mgr=rlor_mgr,base_model="",infra_cfg=(),lora_rank=8,needs_reference=True,role_prefix="",api_key=API_KEY)
for step in ():
\
    infrapolicyforward_backward([])