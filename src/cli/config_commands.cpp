#include "cli/config_commands.hpp"

#include "api/config_document.hpp"
#include "service/config_as_code.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>

namespace gatewatch::cli {
namespace cfg = service::config;

namespace {

// Far above any real configuration (100,000 devices export to about 12 MiB),
// low enough that a wrong file (a disk image) is refused before it is read.
constexpr std::size_t k_max_file = 256 * 1024 * 1024;

std::optional<std::string> read_file(const std::string& file, std::ostream& err) {
    std::ifstream opened;
    if (file != "-") {
        opened.open(file, std::ios::binary);
        if (!opened) {
            err << "error: cannot read " << file << "\n";
            return std::nullopt;
        }
    }
    std::istream& in = file == "-" ? std::cin : opened;
    std::string text;
    char chunk[64 * 1024];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
        text.append(chunk, static_cast<std::size_t>(in.gcount()));
        if (text.size() > k_max_file) {
            err << "error: " << file << " is larger than " << k_max_file / (1024 * 1024) << " MiB\n";
            return std::nullopt;
        }
    }
    return text;
}

std::optional<std::string> from_environment(const std::string& name) {
    const char* value = std::getenv(name.c_str());
    return value == nullptr ? std::nullopt : std::optional<std::string>(value);
}

}  // namespace

int config_export(store::Store& store, std::ostream& out) {
    events::EventBus bus;  // nothing listens in this process
    cfg::ConfigAsCode config(store, bus);
    out << api::config_document::to_yaml(config.current()) << std::flush;
    return out ? 0 : 1;
}

int config_apply(store::Store& store, const std::string& file, bool dry_run, bool prune, std::ostream& out,
                 std::ostream& err) {
    const auto text = read_file(file, err);
    if (!text) return 1;
    const std::string name = file == "-" ? "standard input" : file;
    try {
        const auto document = api::config_document::read(*text, from_environment);
        events::EventBus bus;  // a running server learns of it from the change feed
        cfg::ConfigAsCode config(store, bus);
        const auto plan = config.apply(document, prune, dry_run);
        if (plan.empty()) {
            out << "no changes: the store already matches " << name << "\n";
            return 0;
        }
        for (const auto& line : plan.lines) out << cfg::to_text(line) << '\n';
        out << (dry_run ? "dry run: " : "applied: ") << cfg::summary(plan)
            << (dry_run ? " (nothing written)" : "") << "\n";
        return 0;
    } catch (const cfg::ConfigError& e) {
        for (const auto& problem : e.problems) err << name << ": " << api::config_document::to_text(problem) << '\n';
        err << "error: " << name << " was not applied; nothing changed\n";
        return 1;
    } catch (const store::StoreError& e) {  // a write refused by the store (another process wrote meanwhile)
        err << "error: " << e.what() << "; nothing changed\n";
        return 1;
    }
}

}  // namespace gatewatch::cli
