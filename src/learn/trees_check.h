// CheckTreesJson: whether the bytes of a trees model (XGBoost's JSON, as `TreeModel::Save`
// writes it) are safe to hand to XGBoost. XGBoost trusts the trees it loads: a child index out
// of range makes its tree walk read past its arrays (SIGSEGV), and a child that points back up
// the tree makes it walk forever. So a file damaged on disk or edited by hand is checked first.
#pragma once

#include <string_view>

#include "core/status.h"

namespace leadscore::learn {

// Ok, or InvalidArgument whose message says what is wrong without naming the file (the caller
// adds it): "tree 0, node 0: child 999999 out of range",
// "the JSON stops at byte 30000 before it is complete (cut short?)".
// Checks, for every tree: its arrays hold tree_param.num_nodes entries each; every child is -1
// (a leaf: both are) or a node of the tree; no node is reached twice from the root (no cycle,
// no shared subtree); a split reads a feature below learner_model_param.num_feature; a
// categorical split's categories lie inside the `categories` array.
Status CheckTreesJson(std::string_view bytes);

}  // namespace leadscore::learn
