// Every shipped workload loads, and the reconstructions and published networks have the
// sizes their comments and docs/workloads.md state.
#include "compiler/workload.hpp"
#include "tpuv1_published.hpp"
#include "test_files.hpp"
#include "workload_stats.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <string>

using namespace tpusim::compiler;
using tpusim::compiler::testing::network_stats;

namespace {

std::string workload_path(const std::string& relative) { return std::string(TPUSIM_SOURCE_DIR) + "/workloads/" + relative; }

double relative_error(double value, double published) { return std::fabs(value / published - 1.0); }

/// 1234567 -> "1,234,567", as docs/workloads.md writes counts.
std::string with_commas(std::uint64_t v) {
    std::string digits = std::to_string(v), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

}  // namespace

TEST_CASE("every shipped workload loads and passes shape inference", "[shipped]") {
    int count = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(workload_path(""))) {
        if (entry.path().extension() != ".yaml") continue;
        INFO(entry.path().string());
        CHECK_NOTHROW(load_workload(entry.path().string()));
        ++count;
    }
    CHECK(count == 14);  // 6 TPUv1 reconstructions, 5 published networks, 3 teaching
}

TEST_CASE("TPUv1 reconstructions match Table 1", "[shipped][tpuv1]") {
    for (const auto& app : published::tpuv1_workloads()) {
        INFO(app.app);
        const Network net = load_workload(workload_path(std::string("tpuv1/") + app.app + ".yaml"));
        const auto s = network_stats(net);
        INFO("weights " << s.weights << ", MACs per weight byte " << s.macs_per_weight_byte());
        CHECK(net.batch == app.batch);
        CHECK(s.fc == app.fc);
        CHECK(s.conv == app.conv);
        CHECK(s.vector == app.vector);
        CHECK(s.pool == app.pool);
        CHECK(relative_error(double(s.weights), double(app.weights)) <= published::kTolerance);
        CHECK(relative_error(s.macs_per_weight_byte(), app.macs_per_weight_byte) <= published::kTolerance);
    }
}

TEST_CASE("CNN1's FC layers run at the published intensity", "[shipped][tpuv1]") {
    const Network net = load_workload(workload_path("tpuv1/cnn1.yaml"));
    tpusim::compiler::testing::Stats fc;
    for (const auto& l : net.layers)
        if (l.kind == LayerKind::FullyConnected) fc.add(tpusim::compiler::testing::layer_stats(net, l));
    CHECK(fc.fc == 4);
    CHECK(fc.macs_per_weight_byte() == published::kCnn1FcMacsPerWeightByte);
}

TEST_CASE("published networks have their published sizes", "[shipped][real]") {
    struct Expected {
        const char* file;
        std::uint64_t weights;  // exact, from the layer shapes in the file's comment
        std::uint64_t macs;     // exact, batch 1
        double published_weights, published_macs;  // from the papers, for a 5% sanity check
    };
    const Expected table[] = {
        {"alexnet", 62'367'776, 1'135'256'096, 62.4e6, 1.14e9},
        {"vgg16", 138'344'128, 15'470'264'320, 138e6, 15.5e9},
        {"resnet50", 25'502'912, 3'860'090'048, 25.5e6, 3.8e9},
        {"mobilenet_v1", 4'209'088, 568'740'352, 4.2e6, 569e6},
        // The paper gives the shapes, not counts: 6.76 M in the LSTM and 6.5 M in the
        // projection (the embedding table, a gather, is the host's).
        {"lstm_lm", 13'260'000, 464'100'000, 13.26e6, 464.1e6},
    };
    for (const auto& e : table) {
        INFO(e.file);
        const Network net = load_workload(workload_path(std::string("real/") + e.file + ".yaml"));
        const auto s = network_stats(net);
        CHECK(s.weights == e.weights);
        CHECK(s.macs == e.macs);
        CHECK(relative_error(double(s.weights), e.published_weights) <= 0.05);
        CHECK(relative_error(double(s.macs), e.published_macs) <= 0.05);
    }
}

TEST_CASE("teaching workloads are small and not multiples of 8", "[shipped][teaching]") {
    const std::pair<const char*, std::uint64_t> table[] = {
        {"tiny_mlp", 705}, {"tiny_cnn", 2'940}, {"tiny_lstm", 1'880}};
    for (const auto& [file, macs] : table) {
        INFO(file);
        const Network net = load_workload(workload_path(std::string("teaching/") + file + ".yaml"));
        CHECK(network_stats(net).macs == macs);
        bool ragged = false;
        for (const auto& l : net.layers) ragged = ragged || l.out_shape.back() % 8 != 0;
        CHECK(ragged);
    }
}

TEST_CASE("docs/workloads.md states each shipped workload's weights", "[shipped][docs]") {
    const std::string docs = tpusim::compiler::testing::slurp(std::string(TPUSIM_SOURCE_DIR) + "/docs/workloads.md");
    CHECK(with_commas(1234567) == "1,234,567");
    for (const auto& entry : std::filesystem::recursive_directory_iterator(workload_path(""))) {
        if (entry.path().extension() != ".yaml" || entry.path().parent_path().filename() == "teaching") continue;
        INFO(entry.path().string());
        const auto stats = network_stats(load_workload(entry.path().string()));
        CHECK(docs.find(with_commas(stats.weights)) != std::string::npos);
        if (entry.path().parent_path().filename() == "real") {
            CHECK(docs.find("`" + entry.path().filename().string() + "`") != std::string::npos);
            CHECK(docs.find(with_commas(stats.macs)) != std::string::npos);
        }
    }
}
