import CLibPQ
import CHiredis
