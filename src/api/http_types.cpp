#include "api/http_types.hpp"

#include <boost/json.hpp>

namespace gatewatch::api {

Response json_response(unsigned status, const boost::json::value& body) {
    Response r;
    r.status = status;
    r.body = boost::json::serialize(body);
    return r;
}

Response error_response(unsigned status, std::string_view detail) {
    return json_response(status, boost::json::object{{"detail", detail}});
}

Response unauthorized(std::string_view detail) {
    Response r = error_response(401, detail);
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
}

Response no_content() {
    Response r;
    r.status = 204;
    r.content_type.clear();
    return r;
}

}  // namespace gatewatch::api
