// LISTEN on a session of its own (pg_listener.hpp).
#include "store/pg_listener.hpp"

#include "store/store.hpp"

#include <libpq-fe.h>

namespace gatewatch::store {

PgListener::PgListener(const std::string& url, const std::vector<std::string>& channels) : connection_(url) {
    for (const auto& channel : channels) connection_.exec(("LISTEN " + channel).c_str());
}

int PgListener::socket() { return PQsocket(connection_.native()); }

std::set<std::string> PgListener::take() {
    pg_conn* conn = connection_.native();
    if (PQconsumeInput(conn) == 0 || PQstatus(conn) != CONNECTION_OK)
        throw StoreError(std::string("postgresql: the listening session ended: ") + PQerrorMessage(conn));
    std::set<std::string> notified;
    while (PGnotify* n = PQnotifies(conn)) {
        notified.insert(n->relname);
        PQfreemem(n);
    }
    return notified;
}

}  // namespace gatewatch::store
