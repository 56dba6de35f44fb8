// A SystemC simulation context of its own. SystemC allows elaboration only once per
// context; a fresh context for each run lets one process simulate many times (tests,
// sweeps, a waveform replay after a run). The previous context is restored, and this one
// deleted with everything built in it, when the object goes out of scope: build modules
// after it and destroy them before it.
#pragma once

#include <systemc>

#include <cstdlib>

namespace tpusim::sim {

class FreshContext {
public:
    FreshContext() : previous_(sc_core::sc_curr_simcontext), previous_default_(sc_core::sc_default_global_context) {
        ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
        context_ = new sc_core::sc_simcontext();
        sc_core::sc_curr_simcontext = context_;
        sc_core::sc_default_global_context = context_;
    }
    ~FreshContext() {
        delete context_;
        sc_core::sc_curr_simcontext = previous_;
        sc_core::sc_default_global_context = previous_default_;
    }
    FreshContext(const FreshContext&) = delete;
    FreshContext& operator=(const FreshContext&) = delete;

private:
    sc_core::sc_simcontext* context_;
    sc_core::sc_simcontext* previous_;
    sc_core::sc_simcontext* previous_default_;
};

}  // namespace tpusim::sim
