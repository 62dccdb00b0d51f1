// to_dot: the recorded graph as Graphviz DOT.
#include <fmt/format.h>

#include <unordered_map>

#include "autodiff/autograd.h"
#include "autodiff/detail/node.h"

namespace xg {

std::string to_dot(const Tensor& t) {
  std::string out = "digraph xgrad {\n  rankdir=BT;\n  node [shape=box, fontname=\"monospace\"];\n";
  if (!t.defined()) throw ValueError("to_dot: got an undefined (default-constructed) tensor");
  if (!t.grad_fn()) return out + fmt::format("  t [shape=ellipse, label=\"tensor {}\"];\n}}\n", to_string(t.shape()));
  std::unordered_map<const void*, std::size_t> ids;
  auto id_of = [&ids](const void* p) {
    auto [it, fresh] = ids.emplace(p, ids.size());
    return std::pair{it->second, fresh};
  };
  std::vector<autograd::Node*> stack{t.grad_fn().get()};
  id_of(stack.back());
  while (!stack.empty()) {
    autograd::Node* n = stack.back();
    stack.pop_back();
    const std::size_t nid = ids.at(n);
    std::string file = n->loc.file_name();
    if (auto slash = file.rfind('/'); slash != std::string::npos) file = file.substr(slash + 1);
    out += fmt::format("  n{} [label=\"{}\\n{} {}\\n{}:{}\"];\n", nid, n->name, to_string(n->out_shape),
                       dtype_name(n->out_dtype), file, n->loc.line());
    for (std::size_t i = 0; i < n->next.size(); ++i) {
      const auto& e = n->next[i];
      if (e.fn) {
        auto [cid, fresh] = id_of(e.fn.get());
        if (fresh) stack.push_back(e.fn.get());
        out += fmt::format("  n{} -> n{};\n", cid, nid);
      } else if (auto leaf = e.leaf.lock()) {
        auto [cid, fresh] = id_of(leaf.get());
        if (fresh) out += fmt::format("  n{} [shape=ellipse, label=\"leaf {} {}\"];\n", cid, to_string(leaf->shape), dtype_name(leaf->dtype));
        out += fmt::format("  n{} -> n{};\n", cid, nid);
      }
    }
  }
  return out + "}\n";
}

}  // namespace xg
