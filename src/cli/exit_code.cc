#include "cli/exit_code.h"

namespace leadscore::cli {

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kUnavailable:
    case StatusCode::kDataLoss:
      return kExitFailure;
    case StatusCode::kInternal:
      return kExitInternal;
  }
  return kExitFailure;
}

}  // namespace leadscore::cli
