// The options jemalloc reads when it starts, before main: linked into the leadscore binary only
// when it is built with jemalloc. The environment's MALLOC_CONF, read after these, still wins.
//
// thp:always has jemalloc ask for transparent huge pages (madvise MADV_HUGEPAGE) on the memory
// it maps, metadata_thp:always the same for its own bookkeeping. A kernel whose huge pages are
// given only where asked (`enabled` is `madvise`, as on the VMs we measure on) otherwise faults in
// every 4 KiB page of a batch run's tables and read buffers one by one: about 106,000 faults in a
// W1 run of 1M leads, against about 4,000 with it, at 15 us or so each on the VMs we measure on.
// The run went from 4.44-4.52 s to 4.03-4.16 s, output the same byte for byte, peak RSS from 393 to
// 437-453 MB (bench/README.md, "Huge pages"), also with runs 10 s apart. On an earlier host, whose
// fresh 2 MiB pages each cost a hypervisor fault, they had made the run 1.3 s slower: measure again
// on a new host (bench/memory/fresh_pages.sh). `leadscore serve` turns huge pages off for itself
// (cmd_serve.cc).
extern "C" {
// jemalloc declares this symbol weak; the definition here takes its place. Its name and type are
// jemalloc's (`const char* malloc_conf`, see `man jemalloc`, "TUNING").
// NOLINTNEXTLINE(readability-identifier-naming,cppcoreguidelines-avoid-non-const-global-variables)
const char* malloc_conf = "thp:always,metadata_thp:always";
}
