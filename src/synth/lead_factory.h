// LeadFactory: makes synthetic leads, one leads.csv row plus a LeadPlan (and the lead's outcome
// rows when it converts), each from its own seeded stream so lead i is the same whatever N is.
//
// Converters (~10%) are drawn first, then their firmographics from converter-skewed weights
// (10-1000 employees, IT/Software/SaaS, decision-maker titles): Bayes' rule run backwards, so
// that fit predicts conversion the way it does in real CRMs. Immutable after construction.
#pragma once

#include <cstdint>
#include <vector>

#include "synth/file_writer.h"
#include "synth/lead_plan.h"
#include "synth/random.h"

namespace leadscore::synth {

class LeadFactory {
 public:
  // `id_width`: digits of the zero-padded number in `L0000001`.
  LeadFactory(uint64_t seed, const Window& window, int id_width);

  // `lead_id,email,company,company_size,industry,country,job_title,budget,created_at`.
  static void WriteHeader(FileWriter& csv);

  // Makes lead `index`: appends its row to `csv` and its outcomes to `outcomes`. With `csv` null
  // the lead exists only in events (unknown to the CRM): no row, no outcomes, no e-mails.
  LeadPlan Make(uint32_t index, FileWriter* csv, std::vector<OutcomeRow>* outcomes) const;

  // Appends `L` and the padded number of lead `index`.
  void AppendLeadId(FileWriter& out, uint32_t index) const;
  int id_width() const { return id_width_; }

 private:
  uint64_t seed_;
  Window window_;
  int id_width_;
  // [0]: ordinary leads, [1]: converters.
  Discrete industries_[2], titles_[2], countries_[2], sizes_[2], budgets_[2], free_mail_[2],
      intensity_[2];
};

}  // namespace leadscore::synth
