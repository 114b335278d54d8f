#include "synth/vocab.h"

namespace leadscore::synth {
namespace {

constexpr std::string_view kEventTypeNames[kEventTypeCount] = {
    "page_view",        "email_open",  "email_click",   "download",
    "webinar_attended", "demo_booked", "quote_request", "unsubscribe",
};

// Messy on purpose: lower-case and long-form variants that exact-match rules miss.
constexpr Choice kIndustries[] = {
    {"IT", 90, 190},           {"Software", 110, 190}, {"SaaS", 70, 200},
    {"Finance", 80, 70},       {"Retail", 90, 40},     {"Healthcare", 70, 35},
    {"Manufacturing", 80, 45}, {"Education", 60, 10},  {"Consulting", 70, 50},
    {"Media", 40, 20},         {"Logistics", 40, 25},  {"Public Sector", 30, 5},
    {"Real Estate", 30, 10},   {"Energy", 25, 15},     {"Telecom", 25, 25},
    {"Non-profit", 20, 3},     {"Hospitality", 25, 8}, {"Information Technology", 12, 20},
    {"saas", 6, 10},
};

constexpr Choice kJobTitles[] = {
    {"CEO", 30, 45},
    {"Founder", 15, 20},
    {"CTO", 15, 25},
    {"CMO", 8, 18},
    {"Head of Marketing", 25, 75},
    {"Head of Sales", 15, 45},
    {"Head of Growth", 8, 25},
    {"head of digital", 4, 8},
    {"VP Sales", 15, 50},
    {"VP Marketing", 12, 45},
    {"VP Engineering", 6, 12},
    {"Vice President, Sales", 4, 8},
    {"Director of IT", 20, 40},
    {"Marketing Director", 15, 40},
    {"Sales Director", 12, 35},
    {"Directeur Marketing", 8, 12},
    {"Marketing Manager", 60, 60},
    {"Marketing Operations Manager", 20, 40},
    {"RevOps Lead", 8, 20},
    {"Sales Manager", 40, 35},
    {"Account Executive", 35, 20},
    {"Business Developer", 25, 15},
    {"Software Engineer", 70, 12},
    {"Data Analyst", 35, 12},
    {"Product Manager", 35, 20},
    {"Consultant", 35, 15},
    {"IT Manager", 25, 25},
    {"Office Manager", 20, 5},
    {"Marketing Assistant", 25, 8},
    {"Intern", 20, 2},
    {"Student", 45, 1},
    {"Freelance", 20, 4},
    {"Teacher", 10, 1},
};

constexpr Country kCountries[] = {
    {"FR", 220, 300, "fr", {"SAS", "SARL", "SA"}},
    {"DE", 140, 160, "de", {"GmbH", "AG", "GmbH & Co. KG"}},
    {"ES", 80, 80, "es", {"S.L.", "S.A.", "S.L."}},
    {"IT", 70, 60, "it", {"S.r.l.", "S.p.A.", "S.r.l."}},
    {"BE", 50, 60, "be", {"SA", "BV", "SRL"}},
    {"NL", 60, 70, "nl", {"B.V.", "N.V.", "B.V."}},
    {"US", 160, 120, "com", {"Inc.", "LLC", "Corp."}},
    {"GB", 100, 90, "co.uk", {"Ltd", "PLC", "Ltd."}},
    {"CH", 30, 30, "ch", {"AG", "SA", "GmbH"}},
    {"CA", 25, 15, "ca", {"Inc.", "Ltd.", "Corp."}},
    {"IN", 40, 10, "in", {"Pvt. Ltd.", "Ltd.", "LLP"}},
    {"BR", 20, 8, "com.br", {"Ltda.", "S.A.", "Ltda."}},
    {"PL", 20, 10, "pl", {"Sp. z o.o.", "S.A.", "Sp. z o.o."}},
    {"SE", 20, 20, "se", {"AB", "AB", "AB"}},
    {"PT", 15, 10, "pt", {"Lda.", "S.A.", "Lda."}},
    {"IE", 12, 10, "ie", {"Ltd", "DAC", "Ltd"}},
    {"France", 8, 8, "fr", {"SAS", "SARL", "SA"}},
    {"fr", 4, 4, "fr", {"SAS", "SARL", "SA"}},
};

// Skewed like real firmographics: many tiny companies, a long tail of large ones.
constexpr Range kCompanySizes[] = {
    {1, 1, 40, 2},        {2, 9, 160, 20},       {10, 49, 220, 230},
    {50, 100, 120, 220},  {101, 250, 110, 200},  {251, 1000, 110, 220},
    {1001, 5000, 80, 60}, {5001, 10000, 30, 20}, {10001, 50000, 25, 10},
};

constexpr Range kBudgets[] = {
    {500, 2000, 30, 5},
    {2500, 9500, 35, 25},
    {10000, 50000, 25, 45},
    {50000, 250000, 10, 25},
};

constexpr std::string_view kFirstNames[] = {
    "marie",   "jean",    "pierre", "camille", "lucas",  "chloe",  "nicolas", "julie",
    "thomas",  "sophie",  "anna",   "lukas",   "lena",   "felix",  "jonas",   "laura",
    "carlos",  "lucia",   "javier", "elena",   "marco",  "giulia", "luca",    "sara",
    "pieter",  "sanne",   "emma",   "noah",    "olivia", "james",  "mary",    "john",
    "michael", "jessica", "david",  "sarah",   "priya",  "arjun",  "ines",    "hugo",
};

constexpr std::string_view kLastNames[] = {
    "martin",  "bernard", "dubois",   "thomas",   "robert",    "richard", "petit",    "durand",
    "leroy",   "moreau",  "mueller",  "schmidt",  "schneider", "fischer", "weber",    "meyer",
    "garcia",  "lopez",   "martinez", "sanchez",  "rossi",     "russo",   "ferrari",  "esposito",
    "devries", "jansen",  "peeters",  "janssens", "smith",     "johnson", "williams", "brown",
    "jones",   "miller",  "davis",    "wilson",   "sharma",    "patel",   "silva",    "kowalski",
};

constexpr NamePart kCompanyNames[] = {
    {"Acme", "acme"},
    {"Globex", "globex"},
    {"Initech", "initech"},
    {"Umbrella", "umbrella"},
    {"Hooli", "hooli"},
    {"Vandelay", "vandelay"},
    {"Tyrell", "tyrell"},
    {"Cyberdyne", "cyberdyne"},
    {"Soylent", "soylent"},
    {"Wonka", "wonka"},
    {"Nordlicht", "nordlicht"},
    {"Bleu Azur", "bleuazur"},
    {"Soleil", "soleil"},
    {"Iberia", "iberia"},
    {"Alpina", "alpina"},
    {"Rhein", "rhein"},
    {"Tulip", "tulip"},
    {"Müller", "mueller"},
    {"Société Lumière", "lumiere"},
    {"Café Central", "cafecentral"},
    {"Nova", "nova"},
    {"Prime", "prime"},
    {"Blue Harbor", "blueharbor"},
    {"Green Valley", "greenvalley"},
    {"Summit", "summit"},
    {"Atlas", "atlas"},
    {"Orion", "orion"},
    {"Vega", "vega"},
    {"Helix", "helix"},
    {"Quantum", "quantum"},
    {"Pixel", "pixel"},
    {"Cobalt", "cobalt"},
    {"Granite", "granite"},
    {"Maple", "maple"},
    {"Oak & Ivy", "oakivy"},
    {"Silverline", "silverline"},
    {"Brightwave", "brightwave"},
    {"Northwind", "northwind"},
    {"Contoso", "contoso"},
    {"Fabrikam", "fabrikam"},
    {"Le \"Petit\" Atelier", "petitatelier"},
    {"Kestrel", "kestrel"},
    {"Lynx", "lynx"},
    {"Meridian", "meridian"},
    {"Pioneer", "pioneer"},
    {"Sapphire", "sapphire"},
    {"Tandem", "tandem"},
    {"Zenith", "zenith"},
};

constexpr NamePart kCompanyNouns[] = {
    {"", ""},
    {"", ""},
    {"", ""},
    {"Data", "data"},
    {"Systems", "systems"},
    {"Analytics", "analytics"},
    {"Logistics", "logistics"},
    {"Health", "health"},
    {"Foods", "foods"},
    {"Consulting", "consulting"},
    {"Software", "software"},
    {"Labs", "labs"},
    {"Capital", "capital"},
    {"Retail", "retail"},
    {"Energy", "energy"},
    {"Media", "media"},
    {"Group", "group"},
    {"Technologies", "tech"},
    {"Solutions", "solutions"},
    {"Industries", "industries"},
    {"Partners", "partners"},
};

constexpr Choice kFreeMailDomains[] = {
    {"gmail.com", 50, 50}, {"yahoo.com", 12, 10}, {"hotmail.com", 14, 12}, {"outlook.com", 12, 14},
    {"orange.fr", 6, 6},   {"gmx.de", 4, 4},      {"free.fr", 3, 3},       {"icloud.com", 4, 4},
};

// Weights: browser, evaluator, job seeker, e-mail link.
constexpr Page kSiteMap[] = {
    {"/", {200, 60, 100}, 0},
    {"/pricing", {60, 260, 10}, 20},
    {"/pricing/enterprise", {10, 60, 0}, 5},
    {"/product", {60, 90, 10}, 10},
    {"/product/scoring", {50, 90, 5}, 25},
    {"/product/predictive", {30, 70, 5}, 25},
    {"/integrations", {35, 60, 5}, 10},
    {"/product/analytics", {30, 50, 5}, 10},
    {"/product/api", {20, 40, 5}, 5},
    {"/security", {10, 35, 0}, 0},
    {"/customers", {20, 40, 5}, 5},
    {"/customers/acme", {8, 30, 2}, 10},
    {"/customers/globex", {6, 25, 2}, 5},
    {"/customers/initech", {6, 25, 2}, 5},
    {"/customers/hooli", {5, 20, 1}, 5},
    {"/customers/nordlicht", {5, 20, 1}, 5},
    {"/customers/bleu-azur", {5, 20, 1}, 5},
    {"/customers/iberia", {4, 15, 1}, 3},
    {"/customers/tulip", {4, 15, 1}, 3},
    {"/blog", {40, 15, 10}, 10},
    {"/blog/what-is-lead-scoring", {30, 6, 4}, 20},
    {"/blog/fit-vs-engagement", {22, 8, 3}, 15},
    {"/blog/mql-definition", {20, 8, 3}, 15},
    {"/blog/predictive-scoring", {18, 8, 3}, 15},
    {"/blog/score-decay", {14, 6, 2}, 10},
    {"/blog/buyer-journey-2025", {20, 4, 4}, 12},
    {"/blog/revops-metrics", {16, 5, 3}, 10},
    {"/blog/sales-alignment", {18, 5, 3}, 10},
    {"/blog/intent-data-101", {15, 6, 2}, 10},
    {"/blog/gdpr-automation", {14, 3, 2}, 8},
    {"/blog/abm-guide", {16, 6, 2}, 10},
    {"/blog/nurture-emails", {16, 4, 2}, 12},
    {"/blog/hubspot-vs-marketo", {14, 7, 2}, 8},
    {"/blog/case-studies", {10, 8, 1}, 8},
    {"/blog/series-b", {8, 2, 20}, 4},
    {"/blog/engineering", {4, 1, 40}, 1},
    {"/careers", {8, 1, 250}, 0},
    {"/careers/engineer", {2, 0, 120}, 0},
    {"/careers/sales", {2, 0, 80}, 0},
    {"/careers/intern", {1, 0, 60}, 0},
    {"/docs", {20, 25, 5}, 3},
    {"/docs/getting-started", {15, 30, 5}, 5},
    {"/docs/model-file", {10, 20, 2}, 3},
    {"/docs/api/events", {10, 20, 2}, 3},
    {"/docs/salesforce", {8, 20, 1}, 2},
    {"/integrations/hubspot", {12, 25, 2}, 5},
    {"/integrations/salesforce", {12, 25, 2}, 5},
    {"/about", {20, 10, 40}, 0},
    {"/contact", {10, 40, 5}, 0},
    {"/demo", {5, 40, 0}, 5},
    {"/resources", {15, 25, 2}, 10},
    {"/webinars", {10, 15, 2}, 10},
};

constexpr std::string_view kWhitepapers[] = {
    "lead-scoring-101.pdf",         "b2b-buyer-intent-report-2025.pdf",
    "predictive-scoring-guide.pdf", "marketing-sales-alignment-playbook.pdf",
    "roi-calculator.xlsx",          "gdpr-and-lead-data.pdf",
    "state-of-revops-2025.pdf",
};

constexpr std::string_view kWebinarTopics[] = {
    "predictive-scoring-in-practice",
    "from-mql-to-revenue",
    "scoring-models-sales-trusts",
    "intent-data-101",
    "revops-roundtable",
};

constexpr UtmSource kUtmSources[] = {
    {"google", "cpc", 30},    {"linkedin", "paid_social", 25}, {"newsletter", "email", 15},
    {"twitter", "social", 5}, {"capterra", "referral", 8},     {"g2", "referral", 7},
    {"bing", "cpc", 5},       {"partner", "referral", 5},
};

constexpr std::string_view kUtmCampaigns[] = {
    "brand", "lead-scoring-q3", "abm-enterprise", "retargeting", "webinar-promo", "competitor",
};

constexpr uint32_t kHourWeights[24] = {2,  1,  1,  1,  1,  2,  5, 10, 16, 18, 18, 16,
                                       13, 15, 17, 17, 15, 11, 8, 7,  6,  5,  4,  3};

}  // namespace

std::string_view EventTypeName(EventType type) { return kEventTypeNames[static_cast<int>(type)]; }

std::span<const Choice> Industries() { return kIndustries; }
std::span<const Choice> JobTitles() { return kJobTitles; }
std::span<const Country> Countries() { return kCountries; }
std::span<const Range> CompanySizes() { return kCompanySizes; }
std::span<const Range> Budgets() { return kBudgets; }
std::span<const std::string_view> FirstNames() { return kFirstNames; }
std::span<const std::string_view> LastNames() { return kLastNames; }
std::span<const NamePart> CompanyNames() { return kCompanyNames; }
std::span<const NamePart> CompanyNouns() { return kCompanyNouns; }
std::span<const Choice> FreeMailDomains() { return kFreeMailDomains; }
std::span<const Page> SiteMap() { return kSiteMap; }
std::span<const std::string_view> Whitepapers() { return kWhitepapers; }
std::span<const std::string_view> WebinarTopics() { return kWebinarTopics; }
std::span<const UtmSource> UtmSources() { return kUtmSources; }
std::span<const std::string_view> UtmCampaigns() { return kUtmCampaigns; }
std::span<const uint32_t> HourWeights() { return kHourWeights; }

}  // namespace leadscore::synth
