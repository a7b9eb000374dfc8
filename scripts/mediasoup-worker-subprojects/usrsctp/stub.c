/* Placeholder: mediasoup reads the usrsctp library for link_whole; the real library comes from usrsctp_dep. */
int aethex_usrsctp_stub(void) { return 0; }
