import os
import training.utils.rl as rl_utils
def run(rlor_mgr,):
    from training.utils import ResourceCleanup
    \
with ResourceCleanup()as cleanup:
        infra=rl_utils.setup_infra(base_model=base_model,infra_cfg=(),needs_reference=True,api_key=osenviron[""])
        log=""""""
    returnNone