#pragma once
// The OpenAPI 3.1 document of the API, generated from the route table
// (api/router.hpp): each row's method, path, access, body type and declared
// schemas become an operation, so the document cannot name a route that does
// not exist or miss one that does. Pure: built once per call, no I/O.
#include <boost/json/value.hpp>

#include <string_view>

namespace gatewatch::api {

boost::json::value openapi_document(std::string_view version);

}  // namespace gatewatch::api
