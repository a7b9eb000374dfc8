/* Placeholder: mediasoup reads absl_container_lib for link_whole; Debian ships abseil as shared libs. */
int aethex_absl_container_stub(void) { return 0; }
