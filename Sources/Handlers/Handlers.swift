import TMFcgi
