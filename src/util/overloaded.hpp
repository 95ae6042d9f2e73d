#pragma once
// The visitor of one lambda per alternative, for std::visit:
//   std::visit(util::Overloaded{[](const A&) {...}, [](const auto&) {}}, variant);
// The deduction guide is for clang 14 (the fuzz build), which does not yet
// deduce an aggregate's template arguments from its initializers.
namespace gatewatch::util {

template <typename... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <typename... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace gatewatch::util
