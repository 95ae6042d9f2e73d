#include "store/sql.hpp"

namespace gatewatch::store::sql {

ConnectionPool::Lease::~Lease() {
    std::lock_guard lock(pool_.mutex_);
    pool_.idle_.push_back(std::move(connection_));
}

ConnectionPool::Lease ConnectionPool::lease() {
    for (;;) {
        std::unique_ptr<Connection> c;
        {
            std::lock_guard lock(mutex_);
            if (idle_.empty()) break;
            c = std::move(idle_.back());
            idle_.pop_back();
        }
        if (!healthy_ || healthy_(*c)) return Lease(*this, std::move(c));
        // dropped: a new one is opened below (or the next idle one tried)
    }
    return Lease(*this, open_());
}

}  // namespace gatewatch::store::sql
