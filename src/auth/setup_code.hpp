#pragma once
// The one-time code that the first registration from another machine must
// show (as Jenkins and Grafana do): gatewatch prints it to its log at start
// while no account exists, so only someone who can read that log (the person
// who installed it) can claim a fresh instance reachable from the network.
//
// 16 characters from a 32-letter alphabet without look-alikes (80 bits from
// libsodium's randombytes), shown in groups of four. matches() ignores case,
// spaces and dashes and compares in constant time. Immutable; thread-safe.
#include <string>
#include <string_view>

namespace gatewatch::auth {

class SetupCode {
public:
    SetupCode();  // a fresh random code; call init_crypto() first

    [[nodiscard]] const std::string& text() const { return text_; }  // "ABCD-EFGH-JKMN-PQRS"
    [[nodiscard]] bool matches(std::string_view given) const;

private:
    std::string text_;
};

}  // namespace gatewatch::auth
