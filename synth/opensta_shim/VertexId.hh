// Debian 12's opensta-dev ships Graph.hh and Network.hh, which include "VertexId.hh", without that header.
// Upstream's only definition in it, the VertexId type, is already in GraphClass.hh; this stands in for it.
#pragma once
#include "GraphClass.hh"
