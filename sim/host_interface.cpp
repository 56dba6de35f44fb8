#include "sim/host_interface.hpp"

#include <cstring>

namespace tpusim::sim {

HostInterface::HostInterface(sc_core::sc_module_name name, const UnitContext& ctx, std::vector<std::uint8_t>& host,
                             UnitProgress& in_progress, UnitProgress& out_progress)
    : sc_core::sc_module(name),
      ctx_(ctx),
      host_(host),
      in_{Unit::HostIn, TransferLink(ctx.chip, ctx.chip.host.bandwidth_bytes_per_s, ctx.chip.host.latency_ps),
          in_progress, bytes_in_, transfers_in_, busy_in_},
      out_{Unit::HostOut, TransferLink(ctx.chip, ctx.chip.host.bandwidth_bytes_per_s, ctx.chip.host.latency_ps),
           out_progress, bytes_out_, transfers_out_, busy_out_} {
    SC_THREAD(to_ub_thread);
    SC_THREAD(to_host_thread);
}

void HostInterface::to_ub_thread() { serve(to_ub_stage, in_); }
void HostInterface::to_host_thread() { serve(to_host_stage, out_); }

void HostInterface::serve(sc_core::sc_port<StageIf>& stage, Direction& dir) {
    Cycle free = 0;  // the link takes one request per cycle
    for (;;) {
        const Issued it = stage->get();
        const auto operands = ctx_.wait_for_operands(it, dir.unit, free);
        const auto& d = ctx_.decoded[it.seq];
        // One port while the data moves: from max(start + latency, end of the link's
        // previous transfer) for as long as the transfer lasts.
        const bool to_ub = dir.unit == Unit::HostIn;
        const std::uint64_t rows = ctx_.program.code[it.seq].rows;
        const std::vector<PortHold> holds{PortHold{to_ub, 1, dir.link.latency_cycles(),
                                                   dir.link.transfer_cycles(d.bytes), dir.link.free_at()}};
        const Cycle start = ctx_.wait_for_ports(it, operands, ub, holds, to_ub ? 0 : rows, to_ub ? rows : 0);
        const auto xfer = dir.link.book(start, d.bytes);
        ctx_.scoreboard.set_done(it.seq, false, xfer.end);
        ctx_.scoreboard.set_done(it.seq, true, xfer.end);
        dir.progress.start(ctx_.log[it.seq], start, xfer.end);
        if (ctx_.data) move_data(ctx_.program.code[it.seq], dir.unit == Unit::HostIn);
        dir.bytes += d.bytes;
        dir.transfers += 1;
        dir.busy += xfer.end - xfer.start;
        free = start + 1;
        // The link takes its next instruction from the stage latch once it is free.
        wait_until(free);
    }
}

void HostInterface::move_data(const isa::Instruction& in, bool to_ub) {
    const std::uint64_t w = ub->width();
    for (std::uint64_t r = 0; r < in.rows; ++r) {
        std::uint8_t* h = host_.data() + in.host_addr + r * w;
        auto* u = reinterpret_cast<std::uint8_t*>(ub->row(in.ub_addr + r));
        if (to_ub)
            std::memcpy(u, h, w);
        else
            std::memcpy(h, u, w);
    }
}

}  // namespace tpusim::sim
