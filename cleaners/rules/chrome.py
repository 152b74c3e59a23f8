"""Line rules for site chrome that Chinese portals print in words everybody recognises."""
from __future__ import annotations

from .base import LineRule

PREV_NEXT = LineRule(
    "prev-next", r"^\s*[【\[]?\s*((上一[篇条页章则]|下一[篇条页章则]|上篇|下篇|前一篇|后一篇)\s*[】\]]?\s*[:：]?"
    r"|(previous|next)( (post|article|story|page|entry))?\s*[】\]]?\s*([:：»›>]|$))",
    max_len=150, description="上一篇/下一篇 links to neighbouring articles")

COPYRIGHT = LineRule(
    "copyright",
    r"(版权所有|版权声明|版权归.{0,20}所有|copyright|©|all rights reserved|[京沪苏浙粤津渝鲁皖闽赣豫鄂湘川黔滇陕甘青琼冀晋蒙辽吉黑桂藏宁新]ICP[备证]"
    r"|ICP备\d|公网安备|未经.{0,12}(许可|授权|同意).{0,12}(转载|复制|使用)|转载请注明|如需转载|如有侵权|侵权.{0,8}删除"
    r"|本文由.{0,20}(自动)?(收集|整理|采集))",
    max_len=220, description="copyright, licence and ICP registration lines")

PLATFORM_DISCLAIMER = LineRule(
    "platform-disclaimer",
    r"(^\s*(特别声明|免责声明|郑重声明)\s*[:：]|仅提供信息存储服务|不代表本(站|网|平台|号)的?(观点|立场)"
    r"|仅代表作者(本人|个人)?(观点|立场)|^\s*(notice|disclaimer)\s*:)",
    max_len=400, description="self-media platform disclaimers")

LOGIN_BAR = LineRule(
    "login-bar", r"(请登录|免费注册|忘记密码|用户登录|会员登录|登录\s*[|｜/]\s*注册|退出登录|^欢迎(来到|光临|访问).{1,30}[!！]?$)",
    max_len=80, description="login and registration bars")

SHARE = LineRule(
    "share",
    r"^\s*(分享(到|给朋友|至|本文)?|转发(到|至)|一键分享|收藏本文)\s*[:：]?\s*((微信|朋友圈|新浪微博|微博|QQ空间|QQ好友|QQ|豆瓣|人人网|复制链接)[\s、,，|]*)*$",
    max_len=60, description="share-to buttons")

PAGE_TOOLS = LineRule(
    "page-tools",
    r"(【?\s*(打印(本页|此页|文章)?|关闭(窗口|本页)|返回顶部|收藏)\s*】?\s*){2,}|字[号体]\s*[:：]?\s*[【\[]?\s*大\s*中\s*小|^\s*【?\s*(打印本页|关闭窗口|返回顶部|返回列表)\s*】?\s*$",
    max_len=80, description="print / close / font-size tools")

COMMENTS = LineRule(
    "comments",
    r"(^\s*(发表评论|网友评论|我要评论|评论区|全部评论|最新评论|热门评论)\s*[:：(（]?|已有\s*\d+\s*(人|条)(参与|评论)|\d+\s*条评论|^\s*(点赞|在看|赞赏)\s*\d*\s*$)",
    max_len=80, description="comment widgets and reaction counters")

CONTACT = LineRule(
    "contact",
    r"(^\s*(与我们联系|联系我们|联系方式|联系电话)\s*[:：]?\s*$|^\s*[•·●◆■▪-]?\s*(联系电话|电\s*话|传\s*真|邮\s*箱|e-?mail|地\s*址|邮\s*编|客服热线|热线)\s*[:：])",
    max_len=100, zone="outside", description="contact blocks (phone, fax, e-mail, address)")

WECHAT_PROMO = LineRule(
    "wechat-promo",
    r"(微信号|公众号|扫一扫|扫码|长按.{0,8}(识别|二维码|关注|扫)|关注我们|二维码)",
    max_len=80, zone="outside", description="WeChat account / QR-code promotion lines")

READ_COUNT = LineRule(
    "view-count", r"^\s*(阅读|浏览|点击|访问)(数|量|次数)?\s*[:：]?\s*\d+\s*(次)?\s*$",
    max_len=30, description="view counters")

# WECHAT_PROMO is applied by blocks.PromoBlockRule, which also takes the lines framed by it.
LINE_RULES = (PREV_NEXT, COPYRIGHT, PLATFORM_DISCLAIMER, LOGIN_BAR, SHARE, PAGE_TOOLS, COMMENTS,
              CONTACT, READ_COUNT)
