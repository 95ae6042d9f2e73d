// The history's chunk decoders (history/series.hpp) on bytes as a damaged
// or hostile history.db could hold them: never a crash, never a record
// outside its chunk's order, and what they decode encodes back to bytes that
// decode to the same records.
#include "history/series.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace h = gatewatch::history;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const auto level = static_cast<h::Level>(data[0] % 3);
    const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
    constexpr std::int64_t start = 1'780'000'000 - 1'780'000'000 % 86400;
    if (level == h::Level::round) {
        const auto rounds = h::decode_rounds(start, bytes);
        h::RoundWriter again(start);
        std::int64_t last = start;
        for (const auto& r : rounds) {
            if (r.at < last || (r.ok != r.rtt.has_value())) std::abort();
            last = r.at;
            again.append(r);
        }
        const auto back = h::decode_rounds(start, again.bytes());
        if (back.size() != rounds.size()) std::abort();
        for (std::size_t i = 0; i < back.size(); ++i)
            if (back[i].at != rounds[i].at || back[i].rtt != rounds[i].rtt || back[i].loss != rounds[i].loss) std::abort();
    } else {
        const auto buckets = h::decode_buckets(level, start, bytes);
        h::BucketWriter again(level, start);
        std::int64_t last = start - 1;
        for (const auto& b : buckets) {
            if (b.at <= last || b.ok > b.rounds || b.rtt_max < b.rtt) std::abort();
            last = b.at;
            again.append(b);
        }
        const auto back = h::decode_buckets(level, start, again.bytes());
        if (back.size() != buckets.size()) std::abort();
        for (std::size_t i = 0; i < back.size(); ++i)
            if (back[i].at != buckets[i].at || back[i].ok != buckets[i].ok || back[i].rtt != buckets[i].rtt)
                std::abort();
    }
    return 0;
}
