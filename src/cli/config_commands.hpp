#pragma once
// The configuration-as-code commands: `gatewatch export` and
// `gatewatch apply FILE [--dry-run] [--prune]` (service/config_as_code.hpp).
//
// Like the admin commands they open the server's database and are safe while
// it runs: an apply is one transaction with one change-feed entry, on which a
// running server reloads (service/change_feed.hpp). `${NAME}` references in
// FILE are read from this process's environment. Each returns the exit code:
// 0 done (or nothing to do), 1 refused (every problem on stderr, with its
// line and column; nothing written).
#include "store/store.hpp"

#include <iosfwd>
#include <string>

namespace gatewatch::cli {

int config_export(store::Store& store, std::ostream& out);
// FILE "-" is standard input.
int config_apply(store::Store& store, const std::string& file, bool dry_run, bool prune, std::ostream& out,
                 std::ostream& err);

}  // namespace gatewatch::cli
