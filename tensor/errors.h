#pragma once
#include <stdexcept>
#include <string>

namespace xg {

// Every error a user can cause is one of these; messages name the op and the offending
// shapes, dtypes or values.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class ShapeError : public Error { public: using Error::Error; };
class DTypeError : public Error { public: using Error::Error; };
class ValueError : public Error { public: using Error::Error; };
class IndexError : public Error { public: using Error::Error; };
class AutogradError : public Error { public: using Error::Error; };
class IOError : public Error { public: using Error::Error; };
class FormatError : public Error { public: using Error::Error; };
// An allocation the system refused (the message names the op, the shape and the bytes).
class OutOfMemoryError : public Error { public: using Error::Error; };

}  // namespace xg
