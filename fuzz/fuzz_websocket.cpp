// Bytes from a WebSocket client, after a valid handshake, read by Beast's
// server-side stream with the server's settings (4 KiB message limit):
// frames of every kind, masks, fragments, control frames, closes. The server
// only reads from its status sockets, so reading is the attack surface.
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace http = beast::http;

namespace {
// The upgrade request the server has already read and authenticated.
http::request<http::empty_body> handshake() {
    http::request<http::empty_body> request{http::verb::get, "/ws/status/", 11};
    request.set(http::field::host, "gw");
    request.set(http::field::upgrade, "websocket");
    request.set(http::field::connection, "Upgrade");
    request.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    request.set(http::field::sec_websocket_version, "13");
    return request;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    boost::asio::io_context ioc;
    beast::test::stream client(ioc);
    websocket::stream<beast::test::stream> ws(ioc);
    client.connect(ws.next_layer());
    ws.next_layer().append(std::string_view(reinterpret_cast<const char*>(data), size));  // what the server will read

    ws.read_message_max(4096);
    beast::error_code ec;
    ws.accept(handshake(), ec);  // writes the 101 to the client, so the client must still be open
    if (ec) std::abort();  // the handshake is valid: refusing it would be a bug
    client.close();  // EOF once the input is read
    beast::flat_buffer buffer;
    for (int i = 0; i < 64; ++i) {  // a bounded number of messages per input
        ws.read(buffer, ec);
        if (ec) break;
        buffer.consume(buffer.size());
    }
    return 0;
}
