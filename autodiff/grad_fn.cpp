#include "tensor/grad_fn.h"

#include <cctype>

#include "autodiff/detail/node.h"

namespace xg::autograd {

std::string GradFn::op_name() const { return node_ ? node_->name : ""; }

std::string GradFn::name() const {
  if (!node_) return "";
  std::string out;
  bool word_start = true;
  for (const char* c = node_->name; *c; ++c) {
    if (*c == '_') {
      word_start = true;
      continue;
    }
    out += word_start ? static_cast<char>(std::toupper(static_cast<unsigned char>(*c))) : *c;
    word_start = false;
  }
  return out + "Backward0";
}

std::size_t GradFn::num_inputs() const { return node_ ? 1 : 0; }
std::size_t GradFn::num_outputs() const { return node_ ? node_->next.size() : 0; }

std::vector<GradFn> GradFn::next_functions() const {
  std::vector<GradFn> out;
  if (node_)
    for (std::size_t i = 0; i < node_->next.size(); ++i) out.emplace_back(node_->next[i].fn);
  return out;
}

}  // namespace xg::autograd
