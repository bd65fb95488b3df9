#ifndef CROSSWIRE_CPCAP_SHIM_H
#define CROSSWIRE_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif
